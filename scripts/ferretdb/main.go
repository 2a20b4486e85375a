// Command ferretdb runs an embedded FerretDB v1.24 (MongoDB wire protocol) for local development and tests:
// on PostgreSQL when -postgresql-url is given (the local stack's default), otherwise on SQLite files under -data.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "./.data/ferretdb", "directory for the SQLite files (SQLite backend only)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL URL (e.g. postgres://user@127.0.0.1:5432/ferretdb); when set, FerretDB runs on PostgreSQL instead of SQLite")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	config := ferretdb.Config{Handler: "postgresql", PostgreSQLURL: *postgresqlURL}
	if *postgresqlURL == "" {
		if err := os.MkdirAll(*dataDir, 0o755); err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: cannot create data directory %s: %v\n", *dataDir, err)
			os.Exit(1)
		}
		config = ferretdb.Config{Handler: "sqlite", SQLiteURL: "file:" + *dataDir + "/"}
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level %q\n", *logLevel)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	config.Listener = ferretdb.ListenerConfig{TCP: *listen}
	config.Logger = logger

	db, err := ferretdb.New(&config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go func() {
		// MongoDBURI blocks until the listener is bound, so this line tells the caller we are ready.
		fmt.Printf("ferretdb listening on %s\n", db.MongoDBURI())
	}()

	if err := db.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}
