// Command account-update is the Lambda function of the portal route "account-update".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("account-update") }
