// Package static embeds the pages' stylesheet and scripts, so b2cemu loads nothing from a CDN.
package static

import "embed"

// Files are the embedded assets, served under /_static/.
//
//go:embed *.css *.js
var Files embed.FS
