package web

import (
	"context"
	"io"

	"github.com/quickdiag/quickdiag/checks"
	"github.com/quickdiag/quickdiag/static"
)

// RenderReport writes the self-contained HTML report of r.
func RenderReport(ctx context.Context, w io.Writer, r *checks.Report) error {
	return Report(NewReport(r), static.CSS()).Render(ctx, w)
}
