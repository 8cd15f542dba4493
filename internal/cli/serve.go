package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/scouter-seo/scouter/internal/api"
	"github.com/scouter-seo/scouter/internal/store"
	"github.com/scouter-seo/scouter/internal/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	var wf workerFlags
	cfg.register(fs)
	wf.register(fs, "workers", 2)
	addr := fs.String("addr", envOr("SCOUTER_ADDR", "127.0.0.1:8080"), "listen address")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if err := wf.validate("workers", true); err != nil {
		return err
	}
	log := cfg.logger(stderr)
	db, err := cfg.open(ctx, log, store.Options{Notify: !wf.noNotify, MaxConns: wf.maxConns + 4})
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	mux := http.NewServeMux()
	api.New(db, log, jobKinds).Register(mux)
	web.New(db, log).Register(mux)
	// Protect refuses cross-site state-changing requests (CSRF) for the UI
	// and the API alike; curl and scripts send no browser headers and pass.
	srv := &http.Server{Handler: web.Protect(mux), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving", "url", "http://"+ln.Addr().String(), "db", db.Dialect(), "workers", wf.concurrency)

	if wf.concurrency > 0 {
		w, err := newWorker(db, &cfg, &wf, log)
		if err != nil {
			return err
		}
		w.Start(context.Background())
		defer w.Stop()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
