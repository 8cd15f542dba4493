// Command scouter is a self-hosted SEO crawler. See README.md.
package main

import (
	"os"

	"github.com/scouter-seo/scouter/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
