// Preloaded (node --require) into the children the local host starts (Azurite): the parent holds the
// write end of the child's stdin, so when the parent ends — by a signal, a crash or SIGKILL — stdin
// reaches its end and the child exits instead of running on as an orphan.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
