/** The reports of {@code oomlens verify}: pass or fail per criterion and host, text and JSON. */
package dev.oomlens.report.verify;
