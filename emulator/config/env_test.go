package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/b2cemu/b2cemu/emulator/config"
)

// scalarKeys lists the key paths of every scalar reached from t through structs alone (list
// and map items come from the file only), read from the mapstructure tags, with the field's
// index path.
func scalarKeys(t reflect.Type, prefix string, index []int, out map[string][]int) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("mapstructure")
		if tag == "" || tag == "-" {
			continue
		}
		idx := append(append([]int(nil), index...), i)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			scalarKeys(ft, prefix+tag+".", idx, out)
		case ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map:
		default:
			out[prefix+tag] = idx
		}
	}
}

// TestEveryScalarKeyFromEnvironment: each scalar key of Config, found by reflection so that a
// new key cannot be left out, takes its value from B2CEMU_<PATH>.
func TestEveryScalarKeyFromEnvironment(t *testing.T) {
	keys := map[string][]int{}
	scalarKeys(reflect.TypeOf(config.Config{}), "", nil, keys)
	if len(keys) < 20 {
		t.Fatalf("found only %d scalar keys: %v", len(keys), keys)
	}
	for key, idx := range keys {
		t.Run(key, func(t *testing.T) {
			field := reflect.ValueOf(config.Config{}).FieldByIndex(idx)
			raw, want := sample(t, field.Type())
			name := config.EnvName(key)
			cfg, err := config.Parse("b2cemu.yaml", nil, func(k string) string {
				if k == name {
					return raw
				}
				return ""
			})
			if err != nil {
				t.Fatalf("%s=%s: %v", name, raw, err)
			}
			got := reflect.ValueOf(*cfg).FieldByIndex(idx)
			if got.Kind() == reflect.Pointer && !got.IsNil() {
				got = got.Elem()
			}
			if !reflect.DeepEqual(got.Interface(), want) {
				t.Errorf("%s=%s gave %s = %v; want %v", name, raw, key, got.Interface(), want)
			}
		})
	}
}

// sample is a value of type t as an environment variable holds it, and as the field holds it.
func sample(t *testing.T, typ reflect.Type) (string, any) {
	if typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ == reflect.TypeOf(time.Duration(0)) {
		return "7s", 7 * time.Second
	}
	switch typ.Kind() {
	case reflect.String:
		return "from-env", "from-env"
	case reflect.Bool:
		return "true", true
	case reflect.Int, reflect.Int64:
		return "7", reflect.ValueOf(7).Convert(typ).Interface()
	}
	t.Fatalf("no sample value for %s: extend sample", typ)
	return "", nil
}

// TestEnvKeysAreTheScalarKeys: EnvKeys, which the documentation's list follows, is exactly
// the scalar keys of Config.
func TestEnvKeysAreTheScalarKeys(t *testing.T) {
	keys := map[string][]int{}
	scalarKeys(reflect.TypeOf(config.Config{}), "", nil, keys)
	got := config.EnvKeys()
	if len(got) != len(keys) {
		t.Errorf("EnvKeys() has %d keys, Config %d: %s", len(got), len(keys), strings.Join(got, ", "))
	}
	for _, k := range got {
		if keys[k] == nil {
			t.Errorf("EnvKeys() lists %s, which is not a scalar key of Config", k)
		}
	}
}
