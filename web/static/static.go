// Package static embeds the pages' stylesheets, scripts and images, so b2cemu loads nothing
// from a CDN.
package static

import "embed"

// Files are the embedded assets, served under /_static/: the shared stylesheet, one per page
// template, the scripts, and the provider buttons' marks in idp/ (b2cemu's own drawings);
// favicon.ico (b2cemu's own 32×32 mark: a white ring and dot on blue) is also served at
// /favicon.ico, where browsers ask.
//
//go:embed *.css *.js favicon.ico idp/*.svg
var Files embed.FS
