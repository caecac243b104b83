package blob

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// OpenURL opens the store that serve's --blob (QUOTACERT_BLOB) names:
//
//	""                     files under <dataDir>/files (the embedded default)
//	s3://BUCKET[/PREFIX]?endpoint=HOST:PORT[&region=R][&secure=true|false][&path-style=true|false]
//
// secure defaults to true (HTTPS); path-style defaults to what the endpoint needs (virtual-hosted
// for AWS and Aliyun OSS, path-style elsewhere). The credentials come from the environment, never
// from the URL, which shows in process lists and logs: QUOTACERT_S3_ACCESS_KEY and
// QUOTACERT_S3_SECRET_KEY, or else AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and
// AWS_SESSION_TOKEN). Nothing is contacted here; Ready does.
func OpenURL(dataDir, rawURL string) (Store, error) {
	return openURL(dataDir, rawURL, os.Getenv)
}

func openURL(dataDir, rawURL string, getenv func(string) string) (Store, error) {
	if rawURL == "" {
		return OpenFiles(filepath.Join(dataDir, "files"))
	}
	cfg, err := ParseS3URL(rawURL, getenv)
	if err != nil {
		return nil, err
	}
	return OpenS3(cfg)
}

// ParseS3URL reads an s3:// URL of OpenURL, with credentials from getenv.
func ParseS3URL(rawURL string, getenv func(string) string) (S3Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return S3Config{}, fmt.Errorf("blob store URL: %w", err)
	}
	if u.Scheme != "s3" {
		return S3Config{}, fmt.Errorf("blob store URL %q: use s3://bucket?endpoint=host:port, or leave it empty for files under the data directory", rawURL)
	}
	if u.User != nil {
		return S3Config{}, errors.New("blob store URL: credentials do not belong in the URL: set QUOTACERT_S3_ACCESS_KEY and QUOTACERT_S3_SECRET_KEY")
	}
	cfg := S3Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if cfg.Prefix != "" {
		cfg.Prefix += "/"
	}
	for k, v := range u.Query() {
		if len(v) != 1 {
			return S3Config{}, fmt.Errorf("blob store URL: %s given %d times", k, len(v))
		}
		switch k {
		case "endpoint":
			cfg.Endpoint = v[0]
		case "region":
			cfg.Region = v[0]
		case "secure":
			switch v[0] {
			case "true":
			case "false":
				cfg.Insecure = true
			default:
				return S3Config{}, fmt.Errorf("blob store URL: secure must be true or false, not %q", v[0])
			}
		case "path-style":
			cfg.PathStyle = v[0]
		default:
			return S3Config{}, fmt.Errorf("blob store URL: unknown parameter %q (known: endpoint, region, secure, path-style)", k)
		}
	}
	if cfg.Endpoint == "" {
		return S3Config{}, fmt.Errorf("blob store URL %q: endpoint=host:port is missing", rawURL)
	}
	cfg.AccessKey, cfg.SecretKey = getenv("QUOTACERT_S3_ACCESS_KEY"), getenv("QUOTACERT_S3_SECRET_KEY")
	if cfg.AccessKey == "" && cfg.SecretKey == "" {
		cfg.AccessKey, cfg.SecretKey = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
		cfg.SessionToken = getenv("AWS_SESSION_TOKEN")
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return S3Config{}, errors.New("blob store: S3 credentials missing: set QUOTACERT_S3_ACCESS_KEY and QUOTACERT_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	return cfg, nil
}
