package schemamatch

import (
	"fmt"
	"math"
)

// noneKey is the objects.txt key of objects no entity fits.
const noneKey = "none"

// Calibration maps a raw mapping score (a probability from the combined
// log-odds, after competition) to a calibrated confidence by Platt
// scaling: sigmoid(Slope*logit(p) + Intercept).
type Calibration struct {
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`
}

// BuiltinCalibration returns the calibration Match uses by default
// (vocab/calibration.txt): fitted on the development schemas
// (testdata/matching/dev, testdata/matching and the synthetic SaaS
// schemas), never on the held-out split; `aos bench match -fit` refits it.
func BuiltinCalibration() Calibration { return builtin.calibration }

// Identity returns the calibration that leaves raw scores unchanged.
func Identity() Calibration { return Calibration{Slope: 1} }

// Validate checks that Slope is positive and both are finite; the error
// wraps ErrInvalid.
func (c Calibration) Validate() error {
	if !(c.Slope > 0) || math.IsInf(c.Slope, 0) || math.IsNaN(c.Intercept) || math.IsInf(c.Intercept, 0) {
		return fmt.Errorf("%w: calibration slope %v intercept %v: slope must be positive and both finite", ErrInvalid, c.Slope, c.Intercept)
	}
	return nil
}

func (c Calibration) apply(p float64) float64 {
	p = math.Min(math.Max(p, 1e-6), 1-1e-6)
	return sigmoid(c.Slope*math.Log(p/(1-p)) + c.Intercept)
}

// FitCalibration fits Platt scaling to judged raw scores by Newton's
// method on the log-loss (with Platt's smoothed targets). It needs at least
// one right and one wrong outcome; the error wraps ErrInvalid.
func FitCalibration(outcomes []Outcome) (Calibration, error) {
	var pos, neg float64
	for _, o := range outcomes {
		if o.Correct {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return Calibration{}, fmt.Errorf("%w: fit calibration: need right and wrong outcomes (%v right, %v wrong)", ErrInvalid, pos, neg)
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	a, b := 1.0, 0.0
	for iter := 0; iter < 100; iter++ {
		var ga, gb, haa, hab, hbb float64
		for _, o := range outcomes {
			p := math.Min(math.Max(o.Confidence, 1e-6), 1-1e-6)
			x := math.Log(p / (1 - p))
			t := lo
			if o.Correct {
				t = hi
			}
			q := sigmoid(a*x + b)
			d := q - t
			w := q * (1 - q)
			ga += d * x
			gb += d
			haa += w * x * x
			hab += w * x
			hbb += w
		}
		haa += 1e-9
		hbb += 1e-9
		det := haa*hbb - hab*hab
		if det == 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		a, b = a-da, b-db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			break
		}
	}
	c := Calibration{Slope: round3(a), Intercept: round3(b)}
	return c, c.Validate()
}
