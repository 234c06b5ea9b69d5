/**
 * The node agent behind {@code oomlens watch}: follows the kernel log and diagnoses every OOM kill
 * as it happens with the one diagnosis pipeline, samples memory and pressure to warn before the
 * next kill, keeps a durable history in SQLite (written before anything is exported), and serves
 * Prometheus metrics. The CLI starts it; everything it learns is evidence and findings of core.
 */
package dev.oomlens.agent;
