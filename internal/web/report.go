package web

import "net/http"

// reportStore is what the audit report pages read.
type reportStore interface{}

func (u *UI) registerReports(mux *http.ServeMux) {}
