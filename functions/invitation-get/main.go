// Command invitation-get is the Lambda function of the portal route "invitation-get".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("invitation-get") }
