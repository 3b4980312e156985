package challenges

// DecodeDefis lets the external tests decode a catalog file the way
// BuiltinDefis does.
var DecodeDefis = decodeDefis
