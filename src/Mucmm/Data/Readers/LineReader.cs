using System.Text;

namespace Mucmm.Data.Readers;

/// <summary>
/// Reads the lines of a text file with a cap on the length of one line, so that a file without line
/// breaks (a binary file, or a link to a device such as <c>/dev/zero</c>) is refused after reading at
/// most the cap instead of filling memory. Shared by the CSV matrix reader and the image manifest.
/// Line breaks are <c>\n</c>, <c>\r\n</c> or <c>\r</c>, as <see cref="TextReader.ReadLine"/>.
/// </summary>
internal sealed class LineReader : IDisposable
{
    /// <summary>
    /// Default cap on one line: 16 Mi characters — a CSV row of 1,000,000 numbers of 16 characters each.
    /// </summary>
    public const int DefaultMaxLineChars = 16 << 20;

    private readonly TextReader _reader;
    private readonly string _source;
    private readonly int _maxChars;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _line = new();
    private int _pos, _len;
    private bool _eof;

    /// <summary>Reads lines from <paramref name="reader"/> (disposed with this); <paramref name="source"/> names it in errors.</summary>
    public LineReader(TextReader reader, string source, int maxLineChars = DefaultMaxLineChars)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _source = source;
        _maxChars = maxLineChars;
    }

    /// <summary>Lines read so far (1-based number of the last line returned).</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line without its line break, or null at the end of the text.</summary>
    /// <exception cref="MucmmUserException">The line is longer than the cap.</exception>
    public string? ReadLine()
    {
        _line.Clear();
        bool any = false;
        while (true)
        {
            if (_pos == _len)
            {
                if (_eof) break;
                _len = _reader.Read(_buffer, 0, _buffer.Length);
                _pos = 0;
                if (_len == 0) { _eof = true; break; }
            }
            any = true;
            var span = _buffer.AsSpan(_pos, _len - _pos);
            int br = span.IndexOfAny('\n', '\r');
            int take = br < 0 ? span.Length : br;
            if (_line.Length + take > _maxChars)
                throw new MucmmUserException(_source,
                    $"line {LineNumber + 1} is longer than {_maxChars} characters (the longest line accepted); is this a text file?");
            _line.Append(span[..take]);
            _pos += take;
            if (br < 0) continue;
            char c = _buffer[_pos++];
            if (c == '\r')
            {
                if (_pos == _len && !_eof)
                {
                    _len = _reader.Read(_buffer, 0, _buffer.Length);
                    _pos = 0;
                    if (_len == 0) _eof = true;
                }
                if (_pos < _len && _buffer[_pos] == '\n') _pos++;
            }
            LineNumber++;
            return _line.ToString();
        }
        if (!any && _line.Length == 0) return null;
        LineNumber++;
        return _line.ToString();
    }

    /// <summary>Disposes the underlying reader.</summary>
    public void Dispose() => _reader.Dispose();
}
