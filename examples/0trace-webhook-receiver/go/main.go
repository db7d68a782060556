// 0trace webhook receiver: Go 1.19+, standard library only.
//
//	WEBHOOK_SECRET=… PORT=8080 go run .
//
// The five checks of the quickstart (step 4), plus deduplication by event id.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	maxBody  = 1 << 20 // events are a few KB; refuse anything absurd before buffering it
	maxAge   = 300     // seconds: 5 minutes old
	maxAhead = 60      // seconds: 1 minute in the future (clock skew)
)

// Event is what every delivery's body holds; Data is the order as /api/v1/order returns it.
type Event struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	CreatedAt int64  `json:"createdAt"`
	Data      struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		UpdatedAt int64  `json:"updatedAt"`
	} `json:"data"`
}

// Event ids already processed. The timestamp header is NOT signed: anyone who captured one delivery can
// resend it with a fresh timestamp and pass the 5-minute check. Only this dedupe stops a deliberate replay
// (the id is inside the signed body, so it cannot be changed). The platform's own retries and cabinet
// replays reuse the id too. A scaffold keeps them in memory; use your database instead: a unique index on
// the event id, inserted in the same transaction as your processing, kept for good.
var (
	processedMu sync.Mutex
	processed   = map[string]bool{}
)

// firstTime records id and says whether it was new (check and insert under one lock: requests run in parallel).
func firstTime(id string) bool {
	processedMu.Lock()
	defer processedMu.Unlock()
	if processed[id] {
		return false
	}
	processed[id] = true
	return true
}

// signedWithOurSecret: X-Partner-Webhook-Sign is made with the current secret. During a webhook-secret
// rotation the previous secret also signs, in X-Partner-Webhook-Sign-Previous (comma-separated), so a
// receiver still holding the old secret keeps verifying until the overlap ends.
func signedWithOurSecret(secret, raw []byte, header http.Header) bool {
	mac := hmac.New(sha256.New, secret)
	mac.Write(raw)
	expected := []byte(hex.EncodeToString(mac.Sum(nil))) // 2. HMAC-SHA256, hex
	candidates := append([]string{header.Get("X-Partner-Webhook-Sign")},
		strings.Split(header.Get("X-Partner-Webhook-Sign-Previous"), ",")...)
	match := false
	for _, candidate := range candidates {
		given := []byte(strings.ToLower(strings.TrimSpace(candidate)))
		if hmac.Equal(expected, given) { // 3. constant time
			match = true
		}
	}
	return match
}

// fresh: 4. seconds since the epoch within [now - 5 min, now + 1 min].
func fresh(timestampHeader string) bool {
	sent, err := strconv.ParseInt(strings.TrimSpace(timestampHeader), 10, 64)
	if err != nil {
		return false
	}
	age := time.Now().Unix() - sent
	return age <= maxAge && age >= -maxAhead
}

// handle is your business logic. It runs after the 2xx is sent: keep the answer well inside 10 seconds.
func handle(event Event) {
	_ = event // e.g. update your order from event.Data.Status (trust Data.UpdatedAt for ordering)
}

func answer(w http.ResponseWriter, status int, reason string) {
	if reason != "" {
		fmt.Printf("refused %d %s\n", status, reason)
	} else {
		reason = "ok"
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	io.WriteString(w, reason)
}

func receiver(secret []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			answer(w, http.StatusMethodNotAllowed, "POST only")
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody)) // 1. the exact bytes
		if err != nil {
			answer(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		if !signedWithOurSecret(secret, raw, r.Header) {
			answer(w, http.StatusUnauthorized, "bad signature")
			return
		}
		if !fresh(r.Header.Get("X-Partner-Webhook-Timestamp")) {
			answer(w, http.StatusBadRequest, "stale timestamp")
			return
		}
		var event Event
		if err := json.Unmarshal(raw, &event); err != nil || event.ID == "" {
			answer(w, http.StatusBadRequest, "body is not an event")
			return
		}
		if !firstTime(event.ID) {
			fmt.Printf("duplicate %s\n", event.ID)
			answer(w, http.StatusOK, "") // already handled: acknowledge so the platform stops retrying
			return
		}
		fmt.Printf("verified %s %s %s %s\n", event.ID, event.Type, event.Data.ID, event.Data.Status)
		answer(w, http.StatusOK, "") // 5. 2xx at once …
		go handle(event)             // … and the slow work afterwards (or hand it to a queue)
	}
}

func main() {
	secret := os.Getenv("WEBHOOK_SECRET")
	if secret == "" {
		log.Fatal("WEBHOOK_SECRET is required (the webhookSecret shown once at onboarding or rotation)")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	listener, err := net.Listen("tcp", ":"+port)
	if err != nil {
		log.Fatal(err)
	}
	server := &http.Server{
		Handler: receiver([]byte(secret)),
		// 5. Answer within 10 s: never let one slow client hold a request open longer.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	fmt.Printf("listening on %d\n", listener.Addr().(*net.TCPAddr).Port)
	log.Fatal(server.Serve(listener))
}
