/** The filesystem a spool lives on, for the CLI and the TUI. */
export { filesystemOf, type FilesystemInfo } from '../spool/filesystem.js';
