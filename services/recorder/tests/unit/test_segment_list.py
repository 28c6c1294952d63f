from recorder.segment_list import ListedSegment, SegmentListReader


def test_reader_returns_each_complete_line_once(tmp_path):
    listing = tmp_path / "segments.csv"
    reader = SegmentListReader(listing)
    assert reader.new_entries() == []

    listing.write_text("000000.mp4,0.000000,30.000000\n000001.mp4,30.0")
    assert reader.new_entries() == [ListedSegment("000000.mp4", 0.0, 30.0)]

    with listing.open("a") as f:
        f.write("00000,60.000000\n")
    assert reader.new_entries() == [ListedSegment("000001.mp4", 30.0, 60.0)]
    assert reader.new_entries() == []
