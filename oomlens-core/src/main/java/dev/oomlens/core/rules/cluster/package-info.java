/**
 * The rules that read what Kubernetes clusters told ({@link dev.oomlens.core.cluster}): kills the
 * kubelet reported, node-wide OOMs, and the memory risks of specs (no limit, overcommit, dead
 * nodes, reserved names, blocked reconciliation, no headroom, the JVM's heap). Pure, like every
 * analyzer: the evidence in, findings out.
 */
package dev.oomlens.core.rules.cluster;
