/**
 * Memory budget arithmetic behind the fixes: how a JVM's regions fit in a container limit (the
 * java-buildpack memory calculator) and how much a KubeVirt virt-launcher pod holds beyond its
 * guest (KubeVirt's overhead formula, Harvester's ratio and reserved memory). Pure functions over
 * numbers; no evidence records, no I/O.
 */
package dev.oomlens.core.calc;
