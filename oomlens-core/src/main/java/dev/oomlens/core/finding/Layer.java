package dev.oomlens.core.finding;

/** Where a fix is made: the layers of the stack a kill can be prevented at. */
public enum Layer {
  APPLICATION("application"),
  JVM("jvm"),
  CONTAINER_LIMIT("container-limit"),
  POD_SPEC("pod-spec"),
  NODE("node"),
  HYPERVISOR("hypervisor"),
  KERNEL_SWAP("kernel-swap");

  private final String jsonName;

  Layer(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }
}
