// Command account-get is the Lambda function of the portal route "account-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("account-get") }
