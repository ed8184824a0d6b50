// Command account-get is the Lambda function of the portal route "account-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("account-get") }
