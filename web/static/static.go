// Package static embeds the pages' stylesheet and scripts, so b2cemu loads nothing from a CDN.
package static

import "embed"

// Files are the embedded assets, served under /_static/; favicon.ico (b2cemu's own 32×32
// mark: a white ring and dot on blue) is also served at /favicon.ico, where browsers ask.
//
//go:embed *.css *.js favicon.ico
var Files embed.FS
