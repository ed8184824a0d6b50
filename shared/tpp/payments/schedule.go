package payments

import (
	"strconv"
	"time"
)

// A standing order's instalments (Berlin Group periodic payments): the first on its
// startDate's period, then one each period of its frequency, none after its endDate.
//
//   - Daily, Weekly and EveryTwoWeeks count 1, 7 and 14 days from the startDate.
//   - Monthly, EveryTwoMonths, Quarterly, SemiAnnual and Annual count 1, 2, 3, 6 and 12
//     months from the startDate's month, on the dayOfExecution of each month (the
//     startDate's day when none is given; 31, or a day the month lacks, is its last day);
//     an instalment whose day falls before the startDate is not made. MonthlyVariable
//     names its months in monthsOfExecution, which this bank does not take: it runs
//     monthly.
//   - The executionRule moves an instalment that falls on a Saturday or Sunday to the
//     following Monday (following, the default) or the preceding Friday (preceding); a
//     move does not cross the startDate or the endDate.
//
// Each instalment is named by its scheduled day before the move (its key), so that a
// moved instalment is still one instalment.

// stepOf is a frequency's period in days or months.
func stepOf(frequency string) (days, months int) {
	switch frequency {
	case "Daily":
		return 1, 0
	case "Weekly":
		return 7, 0
	case "EveryTwoWeeks":
		return 14, 0
	case "EveryTwoMonths":
		return 0, 2
	case "Quarterly":
		return 0, 3
	case "SemiAnnual":
		return 0, 6
	case "Annual":
		return 0, 12
	}
	return 0, 1
}

func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// dayIn is the day d of the month of t, or the month's last day when it has fewer.
func dayIn(t time.Time, d int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Instalment is one of a standing order's executions.
type Instalment struct {
	// Key is its scheduled day (YYYY-MM-DD), which names it.
	Key string
	// Day is the day it is executed: the scheduled day, moved off a weekend.
	Day string
}

// Instalments are the standing order's instalments scheduled up to and including the day
// until (at most max of them, earliest first).
func (s Schedule) Instalments(until string, max int) []Instalment {
	start, ok := parseDay(s.StartDate)
	if !ok {
		return nil
	}
	end, hasEnd := parseDay(s.EndDate)
	limit, _ := parseDay(until)
	days, months := stepOf(s.Frequency)
	dom := start.Day()
	if n, err := strconv.Atoi(s.DayOfExecution); err == nil && n >= 1 && n <= 31 {
		dom = n
	}
	var out []Instalment
	for i := 0; len(out) < max; i++ {
		var at time.Time
		if months == 0 {
			at = start.AddDate(0, 0, i*days)
		} else {
			first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, i*months, 0)
			at = dayIn(first, dom)
			if at.Before(start) {
				continue
			}
		}
		if hasEnd && at.After(end) {
			break
		}
		moved := s.move(at, start, end, hasEnd)
		if moved.After(limit) && at.After(limit) {
			break
		}
		if !moved.After(limit) {
			out = append(out, Instalment{Key: at.Format(time.DateOnly), Day: moved.Format(time.DateOnly)})
		}
	}
	return out
}

// move applies the execution rule to an instalment scheduled on at.
func (s Schedule) move(at, start, end time.Time, hasEnd bool) time.Time {
	step := 1
	if s.ExecutionRule == "preceding" {
		step = -1
	}
	moved := at
	for moved.Weekday() == time.Saturday || moved.Weekday() == time.Sunday {
		moved = moved.AddDate(0, 0, step)
	}
	if moved.Before(start) || hasEnd && moved.After(end) {
		return at
	}
	return moved
}

// Due is the instalment executed on day, if there is one.
func (s Schedule) Due(day string) (Instalment, bool) {
	// Enough instalments to pass any day of a standing order of daily payments for
	// decades: the list stops at the day anyway.
	for _, in := range s.Instalments(day, 1<<16) {
		if in.Day == day {
			return in, true
		}
	}
	return Instalment{}, false
}

// Ended says whether the standing order has no instalment after day.
func (s Schedule) Ended(day string) bool {
	if s.EndDate == "" {
		return false
	}
	if day >= s.EndDate {
		return true
	}
	next, _ := parseDay(day)
	after := s.Instalments(s.EndDate, 1<<16)
	for _, in := range after {
		if d, _ := parseDay(in.Day); d.After(next) {
			return false
		}
	}
	return true
}
