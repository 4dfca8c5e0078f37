package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// PEM block types (RFC 7468 sections 10, 11 and 13; SEC 1 for "EC PRIVATE
// KEY").
const (
	pemPrivateKey   = "PRIVATE KEY"
	pemECPrivateKey = "EC PRIVATE KEY"
	pemPublicKey    = "PUBLIC KEY"
)

// MarshalPrivatePEM returns a private key as a PKCS#8 "PRIVATE KEY" PEM
// block.
func MarshalPrivatePEM(key crypto.Signer) ([]byte, error) {
	if _, err := privateKey(key); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot encode the key as PKCS#8", ErrInvalidKey)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

// MarshalPublicPEM returns a public key as a SubjectPublicKeyInfo "PUBLIC
// KEY" PEM block.
func MarshalPublicPEM(pub crypto.PublicKey) ([]byte, error) {
	if _, err := publicKey(pub); err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot encode the key as SubjectPublicKeyInfo", ErrInvalidKey)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// ParsePrivatePEM parses one PEM block holding a PKCS#8 "PRIVATE KEY" (or,
// as OpenSSL's ecparam writes it, a SEC 1 "EC PRIVATE KEY") of a supported
// type. Encrypted keys, PEM headers and anything but white space around the
// block are refused.
func ParsePrivatePEM(data []byte) (crypto.Signer, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	var parsed any
	switch block.Type {
	case pemPrivateKey:
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case pemECPrivateKey:
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w: encrypted PEM private keys are not supported; decrypt it first (openssl pkcs8 -in FILE -out NEWFILE)", ErrUnknownFormat)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a private key", ErrUnknownFormat, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: malformed %s", ErrInvalidKey, block.Type)
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, parsed)
	}
	if _, err := privateKey(key); err != nil {
		return nil, err
	}
	return key, nil
}

// ParsePublicPEM parses one PEM block holding a SubjectPublicKeyInfo
// "PUBLIC KEY" of a supported type.
func ParsePublicPEM(data []byte) (crypto.PublicKey, error) {
	block, err := onePEMBlock(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case pemPublicKey:
	case pemPrivateKey, pemECPrivateKey, "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w: PEM block %q", ErrPrivateKeyMaterial, block.Type)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrUnknownFormat, block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed PUBLIC KEY", ErrInvalidKey)
	}
	if _, err := publicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func onePEMBlock(data []byte) (*pem.Block, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN ")) {
		return nil, fmt.Errorf("%w: data before the PEM block", ErrUnknownFormat)
	}
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrUnknownFormat)
	}
	if len(block.Headers) != 0 {
		return nil, fmt.Errorf("%w: PEM block has headers (an encrypted legacy key?)", ErrUnknownFormat)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: data after the PEM block", ErrUnknownFormat)
	}
	return block, nil
}
