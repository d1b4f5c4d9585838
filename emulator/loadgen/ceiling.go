package loadgen

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ceiling measures how many RSA-2048 PKCS#1 v1.5 SHA-256 signatures (RS256, what every token
// needs) this machine makes per second on all its cores, for about d, and the CPU time one
// takes. The emulator stays idle meanwhile. No token-issuing mode can go faster, so each mode is reported as a share of it.
func ceiling(ctx context.Context, key *rsa.PrivateKey, d time.Duration) (perSecond float64, cpuEach time.Duration) {
	digest := sha256.Sum256([]byte("b2cemu load harness"))
	var n atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	// As many threads sign as the emulator and this harness run together during a mode, so
	// that other work on a shared machine takes the same share of the cores from both; on an
	// idle machine the extra threads change nothing (the cores are the limit).
	threads := 2 * runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	began, cpu := time.Now(), ownCPU()
	var wg sync.WaitGroup
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:]); err == nil {
					n.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	signed := n.Load()
	if signed == 0 {
		return 0, 0
	}
	return float64(signed) / time.Since(began).Seconds(), (ownCPU() - cpu) / time.Duration(signed)
}

// processCPU is the CPU time process pid has used, from /proc (0 where there is none).
func processCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) start at state, field 3;
	// utime and stime are fields 14 and 15, in clock ticks of 1/100 s (USER_HZ).
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}
