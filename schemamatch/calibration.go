package schemamatch

import "math"

// Outcome is one judged proposal: its confidence and whether it was right.
type Outcome struct {
	Confidence float64
	Correct    bool
}

// ReliabilityBucket is one row of a reliability table: the proposals whose
// confidence lies in [Low, High) (the last bucket includes 1) and the share
// of them that were right. For a calibrated matcher Accuracy is close to
// MeanConfidence.
type ReliabilityBucket struct {
	Low            float64 `json:"low"`
	High           float64 `json:"high"`
	N              int     `json:"n"`
	MeanConfidence float64 `json:"mean_confidence"`
	Accuracy       float64 `json:"accuracy"`
}

// Reliability buckets outcomes into n equal confidence bins (n < 1 means
// 10). Confidences outside 0..1 are clamped.
func Reliability(outcomes []Outcome, n int) []ReliabilityBucket {
	if n < 1 {
		n = 10
	}
	bs := make([]ReliabilityBucket, n)
	sums := make([]float64, n)
	hits := make([]int, n)
	for i := range bs {
		bs[i].Low, bs[i].High = float64(i)/float64(n), float64(i+1)/float64(n)
	}
	for _, o := range outcomes {
		c := o.Confidence
		if math.IsNaN(c) {
			continue
		}
		i := max(min(int(c*float64(n)), n-1), 0)
		bs[i].N++
		sums[i] += c
		if o.Correct {
			hits[i]++
		}
	}
	for i := range bs {
		if bs[i].N > 0 {
			bs[i].MeanConfidence = round3(sums[i] / float64(bs[i].N))
			bs[i].Accuracy = round3(float64(hits[i]) / float64(bs[i].N))
		}
	}
	return bs
}

// ExpectedCalibrationError is the mean gap between confidence and accuracy
// over buckets, weighted by their size: 0 for a perfectly calibrated
// matcher.
func ExpectedCalibrationError(buckets []ReliabilityBucket) float64 {
	var total int
	var gap float64
	for _, b := range buckets {
		total += b.N
		gap += float64(b.N) * math.Abs(b.MeanConfidence-b.Accuracy)
	}
	if total == 0 {
		return 0
	}
	return round3(gap / float64(total))
}
