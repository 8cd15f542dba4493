package web

import "net/http"

// explorerStore is what the URL explorer reads.
type explorerStore interface{}

func (u *UI) registerExplorer(mux *http.ServeMux) {}
