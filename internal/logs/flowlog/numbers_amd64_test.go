package flowlog

import "testing"

// TestParseMaskedNumbersBlocks runs the masked-path tests with numsVec off: the per-column blocks that
// numbersVec replaces, which read the columns where it refuses them, and everywhere on processors without
// it.
func TestParseMaskedNumbersBlocks(t *testing.T) {
	if !numsVec {
		t.Skip("numbersVec is not in use: the other tests cover the blocks")
	}
	numsVec = false
	defer func() { numsVec = true }()
	t.Run("edits", TestParseMaskedEdits)
	t.Run("times", TestParseMaskedTimes)
	t.Run("numbers", TestNumbers)
	t.Run("lengths", TestNumbersLengths)
	t.Run("reads", TestParseMaskedReads)
}
