namespace ClipGuard.Stream.Core.IO;

/// <summary>The element types the reader understands, whatever byte-order mark spelled them.</summary>
internal enum NpyElementType
{
    Bool,
    Int8,
    UInt8,
    Int16,
    Int32,
    Int64,
    Float16,
    Float32,
    Float64,
}
