// Package pagination guards loops over paginated AWS APIs against endpoints that never end them: an answer
// that repeats a NextToken (at once or after a cycle) would make a paginator ask forever, and a paginator that
// merely stops on it (the SDK's StopOnDuplicateToken) would hand back part of a list as if it were all of it.
// A Guard turns both into an error, so the caller reports the collection as not read (ERROR), never PASS.
package pagination

import (
	"context"
	"errors"
	"fmt"
)

// ErrRepeatedToken is wrapped by the error a Guard returns for a token it has seen before.
var ErrRepeatedToken = errors.New("the endpoint repeated NextToken")

// ErrTooManyPages is wrapped by the error a Guard returns past its page limit.
var ErrTooManyPages = errors.New("too many pages")

// remembered bounds the tokens a Guard keeps: a cycle of up to this many pages is caught, and the memory of
// a long stream of pages stays bounded.
const remembered = 4096

// Guard checks the tokens of one paginated listing. The zero value has no page limit.
type Guard struct {
	// MaxPages, when > 0, is the most pages the listing may take.
	MaxPages int

	pages int
	seen  map[string]struct{}
}

// New returns a guard allowing at most maxPages pages (0: no limit).
func New(maxPages int) *Guard { return &Guard{MaxPages: maxPages} }

// Next records the NextToken of a page just read (nil or "" ends the listing) and returns an error when the
// listing must stop because the token was seen before or the page limit is reached.
func (g *Guard) Next(token *string) error {
	g.pages++
	if token == nil || *token == "" {
		return nil
	}
	if g.MaxPages > 0 && g.pages >= g.MaxPages {
		return fmt.Errorf("pagination: %w: still a NextToken after %d pages, stopped (the list is incomplete)", ErrTooManyPages, g.pages)
	}
	if _, dup := g.seen[*token]; dup {
		return fmt.Errorf("pagination: %w %s after %d pages: stopped (the list is incomplete)", ErrRepeatedToken, show(*token), g.pages)
	}
	if g.seen == nil || len(g.seen) >= remembered {
		g.seen = map[string]struct{}{}
	}
	g.seen[*token] = struct{}{}
	return nil
}

// show quotes a token for a message, shortened: it comes from the endpoint and may be long or hostile.
func show(t string) string {
	if r := []rune(t); len(r) > 32 {
		t = string(r[:32]) + "…"
	}
	return fmt.Sprintf("%q", t)
}

// Each reads a paginated listing to its end: while more() (an SDK paginator's HasMorePages), next fetches a
// page (its NextPage), a Guard of maxPages checks the page's token, and use takes the page. The first error
// stops it and is returned; what use took before it is the caller's to drop.
func Each[P, O any](ctx context.Context, maxPages int, more func() bool, next func(context.Context, ...func(*O)) (P, error),
	token func(P) *string, use func(P)) error {
	guard := New(maxPages)
	for more() {
		page, err := next(ctx)
		if err != nil {
			return err
		}
		if err := guard.Next(token(page)); err != nil {
			return err
		}
		use(page)
	}
	return nil
}
