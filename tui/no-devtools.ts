/** Stands in for react-devtools-core in the TUI bundle: Ink loads it only with DEV=true. */
export default {
  initialize(): void {
    // no devtools to start
  },
  connectToDevTools(): void {
    // nor to connect to
  },
};
