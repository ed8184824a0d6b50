// Command account-change-password is the Lambda function of the portal route "account-change-password".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("account-change-password") }
