/**
 * HTML: one self-contained page per report (no script, no fetch, inline SVG charts), for sharing.
 */
package dev.oomlens.report.html;
