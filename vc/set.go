package vc

// Set holds the values of a member that JSON may write either as one
// value or as an array of values, such as type, credentialSubject or
// proof.
//
// Parse sets Single when the input held one bare value rather than an
// array, and Marshal then writes a one-element Set back as a bare value.
// The zero Set is empty; Marshal leaves an empty optional member out.
type Set[T any] struct {
	Items  []T
	Single bool
}

// Len returns the number of values.
func (s Set[T]) Len() int { return len(s.Items) }
