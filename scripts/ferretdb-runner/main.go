// ferretdb-runner runs FerretDB v1.24.2 (a MongoDB-compatible server over
// SQLite) for dbclone's integration tests, through FerretDB's embedding API.
//
// Why not `go install .../cmd/ferretdb@v1.24.2`: a binary built that way panics
// at start (its build/version/version.txt is empty outside FerretDB's own build
// scripts), and the standalone server would also try to send telemetry. The
// embedding API has neither problem: it reports version "embedded" and turns
// telemetry off.
//
//	ferretdb-runner -listen-addr 127.0.0.1:27019 -sqlite-dir /path/to/dir
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on (loopback only)")
	dir := flag.String("sqlite-dir", "", "directory for FerretDB's SQLite files")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-sqlite-dir is required")
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		log.Fatal(err)
	}
	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dir + "/",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	server.Run(ctx)
}
