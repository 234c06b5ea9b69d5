/**
 * Evidence about a machine as it is now (or was when a snapshot was taken): /proc/meminfo,
 * /proc/vmstat, PSI, swap and zram, memory cgroups (v1 and v2), balloon signs, and the records of
 * userspace killers. Parsers of these files live in {@code dev.oomlens.core.host.parse}; reading
 * them from a live or mounted machine lives in the oomlens-host module.
 */
package dev.oomlens.core.host;
