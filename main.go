// Command empulse runs Empulse, an event-sourced engagement and wellbeing
// pulse-survey product.
//
// Usage:
//
//	empulse demo [flags]    seed a demo organisation, serve it and simulate it
//	empulse serve [flags]   run the HTTP server on the embedded event store
//	empulse rebuild [flags] rebuild the projections from position 0
//	empulse export correlations [flags]
//	                        write the correlation table and plots to files
//	empulse backup --out FILE [--url URL | --data DIR]
//	                        back up the event store and the vault
//	empulse restore --in FILE [--data DIR]
//	                        restore a backup into an empty data directory
//	empulse help [command]  show usage
//
// Run "empulse help serve" for the flags and the environment variables that
// set them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling so that a
		// second one ends a shutdown that hangs.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// run is the whole command, apart from the process: args are the arguments
// after the program name, getenv reads the environment, and ctx ends serve.
// It returns a usageError for a bad command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return usageErrorf("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "rebuild":
		return runRebuild(ctx, rest, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "-help", "--help":
		return runHelp(rest, stdout)
	default:
		return usageErrorf("unknown command %q (run 'empulse help' for the list)", cmd)
	}
}

// runHelp prints the usage of the program, or of the command named in args.
func runHelp(args []string, stdout io.Writer) error {
	switch {
	case len(args) == 0:
		printUsage(stdout)
	case len(args) == 1 && args[0] == "demo":
		printDemoUsage(stdout)
	case len(args) == 1 && args[0] == "serve":
		printServeUsage(stdout)
	case len(args) == 1 && args[0] == "rebuild":
		fmt.Fprint(stdout, "Usage: empulse rebuild [flags]\n\nDeletes the projections in <data>/projections and folds the whole event log into\nthem again. Stop the server first. It takes serve's flags; --data, --store and the\nlog flags are the ones that matter:\n\n")
		printServeUsage(stdout)
	case len(args) == 1 && args[0] == "export":
		printExportUsage(stdout)
	case len(args) == 1 && args[0] == "backup":
		printBackupUsage(stdout)
	case len(args) == 1 && args[0] == "restore":
		printRestoreUsage(stdout)
	case len(args) == 1:
		return usageErrorf("help: unknown command %q (run 'empulse help' for the list)", args[0])
	default:
		return usageErrorf("help: takes at most one command, got %d arguments", len(args))
	}
	return nil
}

// printUsage writes the program's usage to w.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `Empulse: event-sourced engagement and wellbeing pulse surveys.

Usage:
  empulse <command> [flags]

Commands:
  demo    seed a demo organisation in a fresh data directory, serve it, and
          simulate its members: empulse demo, then open the links it prints
  serve   run the HTTP server on the embedded event store
  rebuild rebuild the projections (team scores) from the whole event log;
          takes serve's --data and --store flags; the server must be stopped
  export  export correlations: write the correlation table (JSON, CSV,
          NDJSON) and plots (PNG, SVG) to files; the server must be stopped
  backup  write a backup of the event store and the vault to a file, from
          the running server (--url) or a stopped one's data (--data)
  restore restore a backup into an empty data directory
  help    show this help, or a command's: empulse help serve
`)
}

// usageError is an error in the command line. The program exits with status
// 2 for it, 1 for any other error.
type usageError struct{ err error }

// usageErrorf returns a usageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// Error returns the message.
func (e usageError) Error() string { return e.err.Error() }

// Unwrap returns the underlying error.
func (e usageError) Unwrap() error { return e.err }

// exitCode reports err on stderr as one line and returns the process's exit
// status: 0 for nil, 2 for a usageError, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "empulse: %v\n", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}
