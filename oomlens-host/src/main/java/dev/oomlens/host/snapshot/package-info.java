/**
 * Reading a host's memory evidence (/proc, /sys, the memory cgroups) into a {@link
 * dev.oomlens.core.host.HostSnapshot}, and saving the files read so the same snapshot can be read
 * elsewhere.
 */
package dev.oomlens.host.snapshot;
