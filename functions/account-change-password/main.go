// Command account-change-password is the Lambda function of the portal route "account-change-password".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("account-change-password") }
