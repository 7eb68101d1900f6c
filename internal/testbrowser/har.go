package testbrowser

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Recorder records a tab's network traffic as DevTools does for "Export
// HAR": one entry per request and per redirect hop, with the response
// bodies, and Chromium's _error for a request that got no answer.
type Recorder struct {
	ctx     context.Context
	mu      sync.Mutex
	order   []network.RequestID
	entries map[network.RequestID][]map[string]any
}

// Record starts recording the tab's traffic.
func Record(ctx context.Context) (*Recorder, error) {
	r := &Recorder{ctx: ctx, entries: map[network.RequestID][]map[string]any{}}
	if err := chromedp.Listen(ctx, r.event); err != nil {
		return nil, err
	}
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	return r, err
}

func headers(h network.Headers) []map[string]any {
	out := []map[string]any{}
	for k, v := range h {
		s, _ := v.(string)
		out = append(out, map[string]any{"name": k, "value": s})
	}
	return out
}

func (r *Recorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if hops := r.entries[ev.RequestID]; len(hops) > 0 && ev.RedirectResponse != nil {
			last := hops[len(hops)-1]
			last["response"] = response(ev.RedirectResponse)
			last["response"].(map[string]any)["redirectURL"] = ev.Request.URL
		}
		req := map[string]any{"method": ev.Request.Method, "url": ev.Request.URL + ev.Request.URLFragment, "headers": headers(ev.Request.Headers), "cookies": []any{}}
		if ev.Request.HasPostData {
			text := ""
			for _, e := range ev.Request.PostDataEntries {
				text += string(e.Bytes)
			}
			req["postData"] = map[string]any{"mimeType": "application/x-www-form-urlencoded", "text": text}
		}
		if _, ok := r.entries[ev.RequestID]; !ok {
			r.order = append(r.order, ev.RequestID)
		}
		r.entries[ev.RequestID] = append(r.entries[ev.RequestID], map[string]any{
			"startedDateTime": time.Now().UTC().Format(time.RFC3339Nano), "request": req,
			"response":      map[string]any{"status": 0, "headers": []any{}, "content": map[string]any{}, "redirectURL": ""},
			"_resourceType": string(ev.Type),
		})
	case *network.EventResponseReceived:
		if hops := r.entries[ev.RequestID]; len(hops) > 0 {
			hops[len(hops)-1]["response"] = response(ev.Response)
			id := ev.RequestID
			go r.body(id)
		}
	case *network.EventLoadingFailed:
		if hops := r.entries[ev.RequestID]; len(hops) > 0 {
			hops[len(hops)-1]["response"].(map[string]any)["_error"] = ev.ErrorText
		}
	}
}

func response(res *network.Response) map[string]any {
	return map[string]any{"status": res.Status, "statusText": res.StatusText, "headers": headers(res.Headers),
		"content": map[string]any{"mimeType": res.MimeType}, "redirectURL": "", "cookies": []any{}}
}

// body fetches a response's body once it has loaded (best effort, as
// DevTools: a redirect or an aborted load has none).
func (r *Recorder) body(id network.RequestID) {
	for range 20 {
		time.Sleep(50 * time.Millisecond)
		res, err := chromedp.Call(r.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
		b := res.Body
		if err == nil {
			r.mu.Lock()
			hops := r.entries[id]
			c := hops[len(hops)-1]["response"].(map[string]any)["content"].(map[string]any)
			c["text"] = string(b)
			r.mu.Unlock()
			return
		}
	}
}

// HAR returns what was recorded as a HAR 1.2 document, in DevTools' dialect.
func (r *Recorder) HAR() []byte {
	time.Sleep(300 * time.Millisecond) // let the last bodies arrive
	r.mu.Lock()
	defer r.mu.Unlock()
	var entries []map[string]any
	for _, id := range r.order {
		entries = append(entries, r.entries[id]...)
	}
	b, _ := json.MarshalIndent(map[string]any{"log": map[string]any{
		"version": "1.2", "creator": map[string]any{"name": "WebInspector", "version": "537.36"}, "entries": entries}}, "", "  ")
	return b
}
