/**
 * Pure parsers of the kernel files that describe a host's memory, one class per file format: {@code
 * /proc/meminfo}, {@code /proc/vmstat}, PSI, {@code /proc/swaps}, zram, cgroup v1 and v2 memory
 * controllers. Each takes the text and the path it came from, never does I/O, and throws {@link
 * dev.oomlens.core.host.parse.ParseException} for a required field that is missing or malformed;
 * readers turn that into a {@link dev.oomlens.core.model.Problem}.
 */
package dev.oomlens.core.host.parse;
