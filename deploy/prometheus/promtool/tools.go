//go:build tools

// Package tools pins promtool, Prometheus's own checker and rule-test runner, for
// `make chaos` (Makefile: $(PROMTOOL)). Prometheus's module carries exclude directives,
// which `go install <pkg>@<version>` refuses; built from this module they apply as ours.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
