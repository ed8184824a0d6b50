// Command account-preferences is the Lambda function of the portal route "account-preferences".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("account-preferences") }
