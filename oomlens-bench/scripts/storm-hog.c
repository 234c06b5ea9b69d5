/*
 * The storm's hog for agent-kills.sh: one lane of OOM kills without a shell or an exec per kill.
 *
 *   storm-hog CGROUP_DIR COUNT PID_FILE
 *
 * COUNT times: fork a child that moves itself into the memory cgroup CGROUP_DIR (cgroup v1, by
 * writing 0 to its cgroup.procs) and touches memory a page at a time until the kernel kills it
 * at the cgroup's limit; append its pid to PID_FILE before it starts growing, wait for it, and
 * start the next at once. The parent stays outside the cgroup, so it is never a candidate. A
 * child that exits any other way than by SIGKILL stops the lane with status 1: the run would
 * otherwise count kills that did not happen.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void grow(const char *procs) {
  int fd = open(procs, O_WRONLY);
  if (fd < 0 || write(fd, "0", 1) != 1) {
    perror(procs);
    _exit(2);
  }
  close(fd);
  long page = sysconf(_SC_PAGESIZE);
  for (;;) {
    /* 1 MiB at a time, never freed: the cgroup's limit, not malloc, ends this process. */
    char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      _exit(3);
    }
    for (long i = 0; i < (1 << 20); i += page) {
      p[i] = 1;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s CGROUP_DIR COUNT PID_FILE\n", argv[0]);
    return 2;
  }
  char procs[4096];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", argv[1]);
  long count = strtol(argv[2], NULL, 10);
  FILE *pids = fopen(argv[3], "a");
  if (pids == NULL) {
    perror(argv[3]);
    return 2;
  }
  for (long n = 0; n < count; n++) {
    /* The child waits for its pid to be written, so every kill the agent reports can be matched. */
    int go[2];
    if (pipe(go) != 0) {
      perror("pipe");
      return 2;
    }
    pid_t child = fork();
    if (child < 0) {
      perror("fork");
      return 2;
    }
    if (child == 0) {
      char c;
      close(go[1]);
      if (read(go[0], &c, 1) != 1) {
        _exit(4);
      }
      grow(procs);
    }
    close(go[0]);
    fprintf(pids, "%d\n", (int) child);
    fflush(pids);
    if (write(go[1], "g", 1) != 1) {
      perror("pipe");
      return 2;
    }
    close(go[1]);
    int status;
    if (waitpid(child, &status, 0) != child) {
      perror("waitpid");
      return 2;
    }
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
      fprintf(stderr, "storm-hog: child %d was not OOM-killed (status %d)\n", (int) child, status);
      return 1;
    }
  }
  return 0;
}
