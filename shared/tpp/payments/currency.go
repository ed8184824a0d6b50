package payments

import (
	"strconv"
	"strings"
)

// currencyDecimals are the active ISO 4217 currencies and the decimals of each: an amount
// has no more decimals than its currency.
var currencyDecimals = func() map[string]int {
	m := map[string]int{}
	for d, list := range map[int]string{
		0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
		3: "BHD IQD JOD KWD LYD OMR TND",
		4: "CLF UYW",
		2: "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
			"CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL " +
			"GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR " +
			"LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD " +
			"PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC " +
			"SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UZS VED VES WST XCD XCG YER ZAR ZMW ZWG",
	} {
		for _, c := range strings.Fields(list) {
			m[c] = d
		}
	}
	return m
}()

// KnownCurrency reports whether code is an active ISO 4217 currency.
func KnownCurrency(code string) bool {
	_, ok := currencyDecimals[code]
	return ok
}

// Minor is a valid amount (one Decode accepted) in minor units of a currency of two
// decimals, as the sandbox ledger keeps money; ok is false for a currency of other
// decimals, which no sandbox account holds.
func Minor(a Amount) (int64, bool) {
	if currencyDecimals[a.Currency] != 2 {
		return 0, false
	}
	whole, frac, _ := strings.Cut(a.Amount, ".")
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}
