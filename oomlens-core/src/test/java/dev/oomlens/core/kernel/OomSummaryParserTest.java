package dev.oomlens.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.oomlens.core.model.Constraint;
import org.junit.jupiter.api.Test;

class OomSummaryParserTest {

  private static OomSummaryParser.Summary parse(String line) {
    return OomSummaryParser.parse(line).orElseThrow();
  }

  @Test
  void parse_memcgPod_515() {
    // corpus 015 (AKS, cgroup v2)
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                + "cpuset=cri-containerd-679f.scope,mems_allowed=0,oom_memcg=/kubepods.slice/p.slice,"
                + "task_memcg=/kubepods.slice/p.slice/cri-containerd-679f.scope,task=stress-ng-vm,"
                + "pid=716580,uid=0");
    assertThat(s.constraint()).hasValue(Constraint.CONSTRAINT_MEMCG);
    assertThat(s.nodemask()).hasValue("(null)");
    assertThat(s.cpuset()).hasValue("cri-containerd-679f.scope");
    assertThat(s.memsAllowed()).hasValue("0");
    assertThat(s.oomMemcg()).hasValue("/kubepods.slice/p.slice");
    assertThat(s.globalOom()).isFalse();
    assertThat(s.taskMemcg()).hasValue("/kubepods.slice/p.slice/cri-containerd-679f.scope");
    assertThat(s.task()).hasValue("stress-ng-vm");
    assertThat(s.pid()).hasValue(716580);
    assertThat(s.uid()).hasValue(0);
  }

  @Test
  void parse_globalWithCpuset_58() {
    // corpus 009
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),"
                + "cpuset=docker-9976.scope,mems_allowed=4,global_oom,"
                + "task_memcg=/system.slice/containerd.service,task=containerd,pid=4100,uid=0");
    assertThat(s.constraint()).hasValue(Constraint.CONSTRAINT_CPUSET);
    assertThat(s.globalOom()).isTrue();
    assertThat(s.oomMemcg()).isEmpty();
    assertThat(s.taskMemcg()).hasValue("/system.slice/containerd.service");
    assertThat(s.task()).hasValue("containerd");
  }

  @Test
  void parse_withoutMemcg_510() {
    // corpus 023: CONFIG_MEMCG=n, no global_oom nor task_memcg
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),"
                + "cpuset=/,mems_allowed=0,task=stress-ng-stack,pid=211,uid=1000");
    assertThat(s.constraint()).hasValue(Constraint.CONSTRAINT_NONE);
    assertThat(s.globalOom()).isFalse();
    assertThat(s.taskMemcg()).isEmpty();
    assertThat(s.task()).hasValue("stress-ng-stack");
    assertThat(s.uid()).hasValue(1000);
  }

  @Test
  void parse_commasInValues() {
    // %*pbl node lists and task names can hold commas
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,"
                + "nodemask=0,2-3,cpuset=/,mems_allowed=0-3,global_oom,task_memcg=/a,b.scope,"
                + "task=x,y,pid=7,uid=1001240000");
    assertThat(s.constraint()).hasValue(Constraint.CONSTRAINT_MEMORY_POLICY);
    assertThat(s.nodemask()).hasValue("0,2-3");
    assertThat(s.memsAllowed()).hasValue("0-3");
    assertThat(s.taskMemcg()).hasValue("/a,b.scope");
    assertThat(s.task()).hasValue("x,y");
    assertThat(s.uid()).hasValue(1001240000L);
  }

  @Test
  void parse_withoutCpusets() {
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                + "oom_memcg=/a,task_memcg=/a/b,task=c,pid=1,uid=2");
    assertThat(s.cpuset()).isEmpty();
    assertThat(s.oomMemcg()).hasValue("/a");
    assertThat(s.taskMemcg()).hasValue("/a/b");
  }

  @Test
  void parse_cutLine_dropsTheCutValue() {
    OomSummaryParser.Summary s =
        parse(
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
                + "cpuset=/,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-bur");
    assertThat(s.constraint()).hasValue(Constraint.CONSTRAINT_MEMCG);
    assertThat(s.oomMemcg()).isEmpty();
    assertThat(s.task()).isEmpty();
    assertThat(s.pid()).isEmpty();
  }

  @Test
  void parse_unknownConstraint_keepsText() {
    OomSummaryParser.Summary s =
        parse("oom-kill:constraint=CONSTRAINT_BPF,nodemask=(null)," + "task=a,pid=1,uid=0");
    assertThat(s.constraint()).hasValue(new Constraint("CONSTRAINT_BPF"));
    assertThat(s.constraint().orElseThrow().scope()).isEmpty();
  }

  @Test
  void parse_notSummary_empty() {
    assertThat(OomSummaryParser.parse("oom_reaper: reaped process 1 (a)")).isEmpty();
  }
}
