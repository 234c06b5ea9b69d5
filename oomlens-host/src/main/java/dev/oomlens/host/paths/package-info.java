/**
 * Where the host's /proc, /sys and / are to be read from, so a container, a saved snapshot or a
 * test fixture is read exactly like the machine itself.
 */
package dev.oomlens.host.paths;
