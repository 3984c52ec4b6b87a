/**
 * Stands in for is-in-ci in the TUI bundle. Ink draws only the last frame when it thinks it
 * runs under CI (CI=true in the environment); `spoolctl tui` starts only on a terminal, so a
 * sysadmin's shell or a test's tmux that carries CI=true must still get live frames.
 */
export default false;
