/**
 * Who a memory cgroup belongs to, decoded from its path ({@link
 * dev.oomlens.core.cgroup.CgroupPaths}): the one reading of cgroup naming that the log readers, the
 * host readers and the rules share.
 */
package dev.oomlens.core.cgroup;
