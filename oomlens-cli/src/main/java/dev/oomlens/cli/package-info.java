/**
 * The {@code oomlens} command line: one picocli command class per subcommand ({@link
 * dev.oomlens.cli.DoctorCommand}, {@link dev.oomlens.cli.DiagnoseCommand}) under {@link
 * dev.oomlens.cli.OomlensCommand}, the exit codes in {@link dev.oomlens.cli.ExitCodes}, and the
 * wiring of sources to the diagnosis and its renderers in {@link dev.oomlens.cli.RunOutcome}.
 */
package dev.oomlens.cli;
