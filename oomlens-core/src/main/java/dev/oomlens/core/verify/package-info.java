/**
 * The success criteria of a fix (seed 000's follow-up): each a PromQL expression that selects what
 * is wrong, as an alerting rule does, passing when it selects nothing anywhere in the window; the
 * built-in checks that expand to such expressions; and the outcome, per criterion and host.
 */
package dev.oomlens.core.verify;
