package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// instruction is one Containerfile instruction, its continuation lines joined.
type instruction struct{ op, args string }

func parseContainerfile(t *testing.T) []instruction {
	t.Helper()
	data, err := os.ReadFile(containerfile)
	if err != nil {
		t.Fatal(err)
	}
	var ins []instruction
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || (line == "" && cur == "") {
			continue
		}
		if rest, ok := strings.CutSuffix(line, `\`); ok {
			cur += rest + " "
			continue
		}
		op, args, _ := strings.Cut(cur+line, " ")
		ins = append(ins, instruction{strings.ToUpper(op), strings.TrimSpace(args)})
		cur = ""
	}
	return ins
}

// imageSpec is what the Containerfile says, checked against its build context.
type imageSpec struct {
	env        map[string]string
	user       string
	expose     string
	volume     []string
	health     []string
	entrypoint []string
	cmd        []string
	copies     map[string]string // destination → --chown
}

func readImageSpec(t *testing.T, context string) imageSpec {
	t.Helper()
	ins := parseContainerfile(t)
	if len(ins) == 0 || ins[0].op != "FROM" || ins[0].args != "scratch" {
		t.Fatalf("the image is not FROM scratch: %v", ins)
	}
	spec := imageSpec{env: map[string]string{}, copies: map[string]string{}}
	for _, in := range ins[1:] {
		switch in.op {
		case "COPY":
			f := strings.Fields(in.args)
			chown := ""
			if c, ok := strings.CutPrefix(f[0], "--chown="); ok {
				chown, f = c, f[1:]
			}
			if len(f) != 2 {
				t.Fatalf("COPY %s: want one source and one destination", in.args)
			}
			if _, err := os.Stat(filepath.Join(context, f[0])); err != nil {
				t.Errorf("COPY %s: the build context lacks it: %v", in.args, err)
			}
			spec.copies[f[1]] = chown
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				k, v, _ := strings.Cut(kv, "=")
				spec.env[k] = v
			}
		case "USER":
			spec.user = in.args
		case "EXPOSE":
			spec.expose = in.args
		case "VOLUME":
			spec.volume = jsonArray(t, in.args)
		case "HEALTHCHECK":
			_, exec, _ := strings.Cut(in.args, "CMD ")
			spec.health = jsonArray(t, exec)
		case "ENTRYPOINT":
			spec.entrypoint = jsonArray(t, in.args)
		case "CMD":
			spec.cmd = jsonArray(t, in.args)
		default:
			t.Errorf("unexpected instruction %s %s", in.op, in.args)
		}
	}
	return spec
}

func jsonArray(t *testing.T, s string) []string {
	t.Helper()
	var a []string
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		t.Fatalf("%s: not the exec form [\"…\"]: %v", s, err)
	}
	return a
}

// TestImage checks the image definition against the context make image lays out, builds it
// with buildah when buildah is installed (no daemon; a storage root of its own) and takes the
// binary out of the image, then runs that binary as the image would — its ENV, ENTRYPOINT and
// CMD, on a free loopback port, the volume a temporary folder — and runs its HEALTHCHECK.
// Running the image itself needs a container runtime, which this test does not assume.
func TestImage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image is linux/" + runtime.GOARCH + "; its build context is made on Linux")
	}
	out := t.TempDir()
	if err := imageContext(context.Background(), testVersion, runtime.GOARCH, out, io.Discard); err != nil {
		t.Fatal(err)
	}
	ctxDir := filepath.Join(out, "image")
	spec := readImageSpec(t, ctxDir)

	if spec.user == "" || strings.HasPrefix(spec.user, "0") || strings.HasPrefix(spec.user, "root") {
		t.Errorf("USER %q: the image must not run as root", spec.user)
	}
	uid, _, _ := strings.Cut(spec.user, ":")
	_, port, _ := net.SplitHostPort(spec.env["B2CEMU_SERVER_ADDR"])
	if spec.expose != port || port == "" {
		t.Errorf("EXPOSE %s, but B2CEMU_SERVER_ADDR is %q", spec.expose, spec.env["B2CEMU_SERVER_ADDR"])
	}
	data := spec.env["B2CEMU_DATADIR"]
	if len(spec.volume) != 1 || spec.volume[0] != data || !strings.HasPrefix(spec.copies[data], uid+":") {
		t.Errorf("VOLUME %v, B2CEMU_DATADIR %q, owner of %s %q: the volume must be the data folder, owned by USER %s", spec.volume, data, data, spec.copies[data], uid)
	}
	if _, copied := spec.copies[first(spec.entrypoint)]; len(spec.entrypoint) != 1 || !copied {
		t.Errorf("ENTRYPOINT %v is not the copied binary", spec.entrypoint)
	}
	if !slices.Equal(spec.health, []string{first(spec.entrypoint), "healthcheck"}) {
		t.Fatalf("HEALTHCHECK CMD %v, want [%s healthcheck]", spec.health, first(spec.entrypoint))
	}

	binary := filepath.Join(ctxDir, "b2cemu")
	if _, err := exec.LookPath("buildah"); err == nil {
		binary = buildWithBuildah(t, ctxDir, spec, uid)
	} else if os.Getenv("B2CEMU_REQUIRE_IMAGE") != "" {
		t.Fatal("the image build needs buildah (apt-get install buildah)")
	} else {
		t.Log("buildah is not installed: the image was not built; the context's binary is run instead")
	}
	serveAsImage(t, binary, spec)
}

// buildWithBuildah builds the image, compares its configuration with the Containerfile's, and
// returns the path of /b2cemu inside it.
func buildWithBuildah(t *testing.T, ctxDir string, spec imageSpec, uid string) string {
	t.Helper()
	store := t.TempDir()
	buildah := func(args ...string) string {
		t.Helper()
		all := append([]string{"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--storage-driver", "vfs"}, args...)
		out, err := exec.Command("buildah", all...).Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("buildah %v: %v\n%s", args, err, stderr)
		}
		return strings.TrimSpace(string(out))
	}
	abs, _ := filepath.Abs(containerfile)
	buildah("bud", "--quiet", "--format", "docker", "-f", abs, "-t", "localhost/b2cemu:test", ctxDir)
	var inspected struct {
		Docker struct {
			Config struct {
				User         string
				Env          []string
				ExposedPorts map[string]any
				Volumes      map[string]any
				Entrypoint   []string
				Cmd          []string
				Healthcheck  struct{ Test []string }
			} `json:"config"`
		}
	}
	if err := json.Unmarshal([]byte(buildah("inspect", "--type", "image", "localhost/b2cemu:test")), &inspected); err != nil {
		t.Fatal(err)
	}
	c := inspected.Docker.Config
	if c.User != spec.user || c.Healthcheck.Test == nil || strings.Join(c.Healthcheck.Test[1:], " ") != strings.Join(spec.health, " ") ||
		c.ExposedPorts[spec.expose+"/tcp"] == nil || c.Volumes[spec.volume[0]] == nil || !slices.Equal(c.Entrypoint, spec.entrypoint) || !slices.Equal(c.Cmd, spec.cmd) {
		t.Errorf("the built image's configuration differs from the Containerfile: %+v", c)
	}
	container := buildah("from", "--quiet", "localhost/b2cemu:test")
	t.Cleanup(func() {
		exec.Command("buildah", "--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run"), "--storage-driver", "vfs", "rm", container).Run()
	})
	root := buildah("mount", container)
	inImage := filepath.Join(root, spec.entrypoint[0])
	want, _ := os.ReadFile(filepath.Join(ctxDir, "b2cemu"))
	if got, err := os.ReadFile(inImage); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s in the image is not the built binary: %v", spec.entrypoint[0], err)
	}
	if fi, err := os.Stat(filepath.Join(root, spec.volume[0])); err != nil || !fi.IsDir() || strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)) != uid {
		t.Errorf("%s in the image: %v, want a folder owned by %s", spec.volume[0], err, uid)
	}
	return inImage
}

// serveAsImage runs binary with the image's environment, ENTRYPOINT and CMD — on a free
// loopback port instead of every interface, and a temporary folder as the volume — then its
// HEALTHCHECK command, which must find it healthy, and checks the data went to the volume.
func serveAsImage(t *testing.T, binary string, spec imageSpec) {
	t.Helper()
	volume := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "B2CEMU_ADMIN_TOKEN=image-test"}
	for k, v := range spec.env {
		switch k {
		case "B2CEMU_SERVER_ADDR":
			v = "127.0.0.1:0"
		case "B2CEMU_DATADIR":
			v = volume
		}
		env = append(env, k+"="+v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refuseWithoutToken(ctx, t, binary, spec, volume)
	serve := exec.CommandContext(ctx, binary, append(spec.entrypoint[1:], spec.cmd...)...)
	serve.Env = env
	stdout, _ := serve.StdoutPipe()
	serve.Stderr = os.Stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
	}()
	port := ""
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if m := regexp.MustCompile(`url=http://127\.0\.0\.1:(\d+)`).FindStringSubmatch(lines.Text()); m != nil {
			port = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if port == "" {
		t.Fatal("the binary logged no URL")
	}
	// In the container the check sees the image's every-interface address (and the token that
	// address needs); here b2cemu listens on loopback only, which is where the check goes.
	check := exec.CommandContext(ctx, binary, spec.health[1:]...)
	check.Env = append(env, "B2CEMU_SERVER_ADDR=0.0.0.0:"+port) // the later value wins
	if out, err := check.CombinedOutput(); err != nil || !strings.Contains(string(out), "healthy: http://127.0.0.1:"+port+"/healthz") {
		t.Errorf("HEALTHCHECK: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(volume, "b2cemu.db")); err != nil {
		t.Errorf("the data is not in the volume: %v", err)
	}
}

// first is a list's first element, "" for none.
func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// refuseWithoutToken runs the image's command with its environment exactly, and no admin
// token: b2cemu must refuse to listen on every interface and say how to fix it.
func refuseWithoutToken(ctx context.Context, t *testing.T, binary string, spec imageSpec, volume string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, binary, append(spec.entrypoint[1:], spec.cmd...)...)
	cmd.Env = []string{"B2CEMU_SERVER_ADDR=" + spec.env["B2CEMU_SERVER_ADDR"], "B2CEMU_DATADIR=" + volume}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "B2CEMU_ADMIN_TOKEN") || strings.Contains(string(out), "serving") {
		t.Errorf("the image's command without B2CEMU_ADMIN_TOKEN: %v\n%s", err, out)
	}
}

func TestReadCABundle(t *testing.T) {
	own := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(own, []byte("own bundle"), 0o644)
	if got, err := readCABundle(func(k string) string { return map[string]string{"SSL_CERT_FILE": own}[k] }); err != nil || string(got) != "own bundle" {
		t.Errorf("SSL_CERT_FILE: %q, %v", got, err)
	}
	saved := caBundles
	defer func() { caBundles = saved }()
	caBundles = []string{filepath.Join(t.TempDir(), "none.crt")}
	if _, err := readCABundle(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "set SSL_CERT_FILE") {
		t.Errorf("no bundle: %v", err)
	}
}
